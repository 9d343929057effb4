# The Debian package, vmaildir_VERSION_ARCH.deb, made with CPack from the install rules
# of the whole tree (tools/package-test: `cpack -G DEB` in build/).
#
# Depends come from dpkg-shlibdeps over the installed programs and the Courier module
# (needs dpkg-dev), plus adduser for the maintainer scripts.  The scripts
# (debian/postinst, prerm, postrm) create the vmaildir user and group, give the
# conffile its group, and never enable or start a daemon: the shipped configuration is
# an example that must be edited first.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vmaildir)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "vmaildir")
set(CPACK_PACKAGE_CONTACT "${VMAILDIR_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VMAILDIR_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "one LDAP directory semantics for Postfix, Courier, Exim and milters")
# The extended description: CPack puts the summary first, indents every line by one
# space and turns empty lines into " ." as Debian's control format wants.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "vmaildir resolves domains, accounts, aliases and catch-alls, checks logins and
decides delegated administration for a virtual-mail host in one library, and
gives that one semantics to each mail server through a thin adapter: a
socketmap and tcp_table server for Postfix, an authlib module for Courier
IMAP/POP3, a readsocket server and SMTP AUTH for Exim, and a milter.

Only a completed search that found nothing may answer that an address does
not exist: every directory error, timeout or ambiguity answers try-later in
the host's own terms, so an LDAP outage defers mail instead of bouncing it.
An optional replica keeps a local copy of the directory (RFC 4533) for every
adapter.

The daemons' systemd units are installed but not enabled: edit
/etc/vmaildir/vmaildir.conf first.")
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # vmaildir_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "postfix, postfix-lmdb, courier-authdaemon, exim4-daemon-heavy, slapd, ldap-utils")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles)
# Scripts 0755 and conffiles 0644 whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Installed with prefix /usr (CPACK_INSTALL_PREFIX: with DESTDIR, cpack installs with
# this prefix) into a DESTDIR, so that absolute destinations (/etc,
# /usr/lib/courier-authlib, /lib/systemd/system) land in the package, not on this host,
# and the units' install code sees the packaged prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# RelWithDebInfo binaries carry their debug information; the package does not.
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGE_CHECKSUM SHA256)
include(CPack)
