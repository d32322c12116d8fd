#!/bin/sh
# cdktf-freebsd-jails host helper, interface version 1, installed as
# /usr/local/libexec/cdktf-freebsd-jails/helper-1 (lib/shell/helper/*.sh of the library, joined).
# Written by cdktf-freebsd-jails: changes here are overwritten. Run it without arguments for its
# actions, `help ACTION` for one. Shaped like FreeBSD's share/examples/jails/jib and jng: globals,
# then one function per action beside its usage and description, dispatch by function name.
# A newer revision keeps every action and argument of the older ones; no older one replaces it.
# shellcheck disable=SC2034,SC3043
# SC3043: `local` is not POSIX, but FreeBSD's sh and dash (the test hosts' /bin/sh) have it.
# SC2034: each action's *_usage and *_descr are read by main.sh through eval.

############################################################ GLOBALS

# The library stamps its revision here (HOST_HELPER_REVISION) when it joins the files.
HELPER_REVISION=0
set -eu
PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
export PATH
self=$0

# The names this library leaves on a host (lib/shell/names.ts, and the others its tests name,
# hold the same values: test/shell/helper-files.test.ts compares them).
LIBRARY_NAME=cdktf-freebsd-jails
HOST_HELPER_VERSION=1
HOST_HELPER_DIR=/usr/local/libexec/cdktf-freebsd-jails
STATE_DIR=/var/db/cdktf-freebsd-jails
HOST_HELPER_USERS_FILE=/var/db/cdktf-freebsd-jails/helper-1.users
JAIL_STATE_DIR=/var/db/cdktf-freebsd-jails/jails
SCOPE_CLAIM_DIR=/var/db/cdktf-freebsd-jails/scopes
PRUNE_STATE_DIR=/var/db/cdktf-freebsd-jails/prune
SETTINGS_STATE_DIR=/var/db/cdktf-freebsd-jails/settings
SETTINGS_CHANGES_FILE_NAME=shared.changes
FREEBSD_UPDATE_WORKDIR_ROOT=/var/db/cdktf-freebsd-jails/freebsd-update
DEVFS_RULES_CREATED=/var/db/cdktf-freebsd-jails/devfs.rules.created
PF_STATE_DIR=/var/db/cdktf-freebsd-jails/pf
VNET_CLAIM_DIR=/var/db/cdktf-freebsd-jails/vnet
JAIL_FILES_DIR=/var/db/cdktf-freebsd-jails/jail-files
JAIL_SERVICES_DIR=/var/db/cdktf-freebsd-jails/jail-services
PF_RULES_DIR=/usr/local/etc/cdktf-freebsd-jails/pf
PF_CONF=/etc/pf.conf
PF_ANCHOR_ROOT=cdktf-freebsd-jails
DEVFS_RULES_FILE=/etc/devfs.rules
JAIL_CONF=/etc/jail.conf
JAIL_CONF_DIR=/etc/jail.conf.d
LOCK_DIR=/var/run
LOCK_TIMEOUT_SECONDS=300
ZFS_LOCK=zfs-parents
VNET_LOCK=netgraph
OWNER_PROPERTY=cdktf-freebsd-jails:owner
ROLE_PROPERTY=cdktf-freebsd-jails:role
JAIL_NAME_PROPERTY=cdktf-freebsd-jails:jail
REMOVAL_PROPERTY=cdktf-freebsd-jails:removal
ZFS_PROPERTIES_PROPERTY=cdktf-freebsd-jails:properties
SNAPSHOT_PROPERTY=cdktf-freebsd-jails:snapshot
SNAPSHOT_CHANGE_PROPERTY=cdktf-freebsd-jails:change
SNAPSHOT_REASON_PROPERTY=cdktf-freebsd-jails:reason
SNAPSHOT_BEFORE_UPDATE=before-update
SNAPSHOT_BEFORE_RETIRE=before-retire
SNAPSHOT_NAME_PREFIX=cdktf-
JAIL_SOURCE_PROPERTY=cdktf-freebsd-jails:source
OWNER_SCOPE_SEPARATOR=:
JAIL_ROLE=jail
PARENT_ROLE=parent
RETIRED_ROLE=retired
SHARED_PARENT_OWNER=shared-parent
RETIRED_DATASET=.retired
DATA_DATASET=.data
DATA_ROLE=data
REMOVAL_DESTROY=destroy
REMOVAL_RETAIN=retain
REMOVAL_RETAIN_NO_SNAPSHOT=retain-no-snapshot
MANAGED_FILE_MARKER='# Managed by cdktf-freebsd-jails'
BLOCK_BEGIN='# BEGIN cdktf-freebsd-jails'
BLOCK_END='# END cdktf-freebsd-jails'

# EX_USAGE of sysexits(3): a command line that fits no action's usage.
EX_USAGE=64
