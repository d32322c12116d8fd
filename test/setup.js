// cdktf's jest matchers (toHaveResource, toBeValidTerraform, ...) for every test file.
const { Testing } = require('cdktf');
Testing.setupJest();
