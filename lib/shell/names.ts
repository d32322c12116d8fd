/**
 * The one vocabulary of names this library leaves on a host: ZFS user properties and their
 * values (roles, owners), marker lines of files and blocks, lock files, state files, the host
 * helper's path. Everything else imports these; a name is spelled here and nowhere else.
 */

/** Prefix of every ZFS user property, marker and file name of this library. */
export const LIBRARY_NAME = 'cdktf-freebsd-jails';

/** The ZFS user property that names the owner (`SCOPE:construct path`, see ownerMark) of a dataset. */
export const OWNER_PROPERTY = `${LIBRARY_NAME}:owner`;
/** The ZFS user property that says what a managed dataset is (template, jail, parent, retired). */
export const ROLE_PROPERTY = `${LIBRARY_NAME}:role`;
/** ZFS user property with the jail's name on its dataset (what prune reads). */
export const JAIL_NAME_PROPERTY = `${LIBRARY_NAME}:jail`;
/** ZFS user property with the dataset's removal policy (what prune obeys). */
export const REMOVAL_PROPERTY = `${LIBRARY_NAME}:removal`;
/** ZFS user property listing the ZFS properties the library set on a jail's dataset (JailFromSnapshot zfsProperties). */
export const ZFS_PROPERTIES_PROPERTY = `${LIBRARY_NAME}:properties`;
/** ZFS user property of a snapshot the library made before a change: what it was taken before (SNAPSHOT_BEFORE_UPDATE, SNAPSHOT_BEFORE_RETIRE). */
export const SNAPSHOT_PROPERTY = `${LIBRARY_NAME}:snapshot`;
/** ZFS user property of such a snapshot: the digest of the change it was taken for (a re-run of the same change takes none). */
export const SNAPSHOT_CHANGE_PROPERTY = `${LIBRARY_NAME}:change`;
/** ZFS user property of such a snapshot: why it was taken, in words (`freebsd-update of jail h1 to 15.1-RELEASE`). */
export const SNAPSHOT_REASON_PROPERTY = `${LIBRARY_NAME}:reason`;
/** SNAPSHOT_PROPERTY value: taken by a JailUpdate before freebsd-update changed the jail. */
export const SNAPSHOT_BEFORE_UPDATE = 'before-update';
/** SNAPSHOT_PROPERTY value: taken of a jail's dataset before it was retired (set aside). */
export const SNAPSHOT_BEFORE_RETIRE = 'before-retire';
/** Start of the name of every snapshot the library takes before a change: `DATASET@cdktf-KIND-<UTC time>[-CHANGE]`. */
export const SNAPSHOT_NAME_PREFIX = 'cdktf-';
/** ZFS user property with the snapshot a rolling jail's dataset was made from (what jail-roll compares). */
export const JAIL_SOURCE_PROPERTY = `${LIBRARY_NAME}:source`;
/** ZFS user property recording which sets (and digests) were extracted into a template. */
export const EXTRACTED_PROPERTY = `${LIBRARY_NAME}:extracted`;

/** Where per-jail configuration files live (FreeBSD 14.0 and later). */
export const JAIL_CONF_DIR = '/etc/jail.conf.d';
/** The host's main jail configuration. */
export const JAIL_CONF = '/etc/jail.conf';

/** Role value of a template's dataset. */
export const TEMPLATE_ROLE = 'template';
/** Role value of a jail's dataset. */
export const JAIL_ROLE = 'jail';
/** Role value of a parent dataset created on demand. */
export const PARENT_ROLE = 'parent';
/** Role value of a dataset set aside instead of destroyed (jails' RETAIN policy, templates kept for them). */
export const RETIRED_ROLE = 'retired';
/** Owner value of parent datasets created on demand and shared by several constructs. */
export const SHARED_PARENT_OWNER = 'shared-parent';
/** Dataset under the jail root that retained datasets are moved into. */
export const RETIRED_DATASET = '.retired';
/** The dataset under the jail root that holds the data datasets (JailDataset), beside the jails'. */
export const DATA_DATASET = '.data';
/** ROLE_PROPERTY value of a data dataset (JailDataset). */
export const DATA_ROLE = 'data';

/** Marker on the first line of every file this library writes for a jail. */
export const MANAGED_FILE_MARKER = `# Managed by ${LIBRARY_NAME}`;
/** First line of a managed block in a shared file is this, a space and the block id. */
export const BLOCK_BEGIN = `# BEGIN ${LIBRARY_NAME}`;
/** Last line of a managed block. */
export const BLOCK_END = `# END ${LIBRARY_NAME}`;

/** Directory of the lock files (exists on every FreeBSD host and is cleared at boot). */
export const LOCK_DIR = '/var/run';
/** How long a step waits for a lock (seconds) before it fails. */
export const LOCK_TIMEOUT_SECONDS = 300;

/** The lock file that serializes edits of one shared file (or one named resource). */
export function lockFileFor(what: string): string {
  return `${LOCK_DIR}/${LIBRARY_NAME}.${what.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^_+/, '')}.lock`;
}

/** The lock that serializes creation and removal of shared parent datasets. */
export const ZFS_LOCK = 'zfs-parents';

/** The devfs.rules(5) file the host's rc.d/devfs reads after /etc/defaults/devfs.rules (rc.conf devfs_rulesets). */
export const DEVFS_RULES_FILE = '/etc/devfs.rules';

/** Directory of this library's state on the host: host settings records, helper users. */
export const STATE_DIR = `/var/db/${LIBRARY_NAME}`;

/**
 * Between the ownership scope and the construct path in an owner mark. Scopes never contain
 * it, so the scope of a mark is the text before its first separator, compared exactly.
 */
export const OWNER_SCOPE_SEPARATOR = ':';

/**
 * The owner mark of a construct: its host's ownership scope (unique on the host, claimed by one
 * Terraform state) and its construct path. Two apps whose stacks share a name differ in scope.
 */
export function ownerMark(scope: string, constructPath: string): string {
  return `${scope}${OWNER_SCOPE_SEPARATOR}${constructPath}`;
}

/** Directory of the host settings state files (`<digest of the owner mark>.state`, see HostSettings). */
export const SETTINGS_STATE_DIR = `${STATE_DIR}/settings`;

/** Directory of the prune step's records per scope: `<dir>/SCOPE.settings` lists the settings state files it kept last. */
export const PRUNE_STATE_DIR = `${STATE_DIR}/prune`;

/** Directory of the scope claims: `<dir>/SCOPE.claim` holds the id of the Terraform resource that claimed it. */
export const SCOPE_CLAIM_DIR = `${STATE_DIR}/scopes`;

/**
 * Beside the owners' settings state files (`*.state`, their holds): the changes made for the
 * settings, each line `KIND NAME VALUE RECORD`, undone once no owner holds KIND NAME VALUE.
 */
export const SETTINGS_CHANGES_FILE_NAME = 'shared.changes';

/** Where per-jail records live (the network's teardown actions): `<dir>/NAME.teardown`. */
export const JAIL_STATE_DIR = `${STATE_DIR}/jails`;
/** Parent of freebsd-update's work directories: one per updated tree, at this path plus the tree's path. */
export const FREEBSD_UPDATE_WORKDIR_ROOT = `${STATE_DIR}/freebsd-update`;

/** REMOVAL_PROPERTY value: the dataset is destroyed with the jail (JailRemovalPolicy.DESTROY). */
export const REMOVAL_DESTROY = 'destroy';
/** REMOVAL_PROPERTY value: the dataset is set aside (JailRemovalPolicy.RETAIN). */
export const REMOVAL_RETAIN = 'retain';
/**
 * REMOVAL_PROPERTY value: set aside like REMOVAL_RETAIN, without the snapshot of the moment first
 * (JailSnapshotPolicy.none()). A value of its own rather than a property beside it: the default's
 * configuration script stays as it was (a changed one replaces the step and restarts the jail), and
 * an older helper, which retires everything that is not `destroy`, reads it right.
 */
export const REMOVAL_RETAIN_NO_SNAPSHOT = 'retain-no-snapshot';

/** The pf anchor every anchor of this library is loaded under (pf.conf's hooks name `ROOT/*`). */
export const PF_ANCHOR_ROOT = LIBRARY_NAME;
/** Records of the helper's pf actions: the anchors in the hooks block, armed rollbacks, saved rules. */
export const PF_STATE_DIR = `${STATE_DIR}/pf`;
/** Where anchors' rules files live (read at boot through the `load anchor` lines). */
export const PF_RULES_DIR = `/usr/local/etc/${LIBRARY_NAME}/pf`;
/** The host's pf.conf. */
export const PF_CONF = '/etc/pf.conf';

/** Directory of the claims of files in jails (JailFile): `<dir>/KEY.owner` holds the owner mark, `KEY.info` the jail root and path. */
export const JAIL_FILES_DIR = `${STATE_DIR}/jail-files`;

/** Directory of the claims of services in jails (JailService): `<dir>/KEY.owner` holds the owner mark, `KEY.info` the jail and service. */
export const JAIL_SERVICES_DIR = `${STATE_DIR}/jail-services`;

/** Where a step's file provisioner uploads a file of the operator's machine (JailFile's sourcePath): the prefix of `<prefix><digest>`. */
export const UPLOAD_PREFIX = `/tmp/${LIBRARY_NAME}-upload.`;
