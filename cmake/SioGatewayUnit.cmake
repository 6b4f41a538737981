# Runs at install time (install(SCRIPT) in cmake/SioInstall.cmake), not at configure time: sio-gateway.service names
# absolute paths, and `cmake --install --prefix X` chooses the prefix only now (cpack: /usr, into its DESTDIR).
# Writes packaging/systemd/sio-gateway.service.in for CMAKE_INSTALL_PREFIX and installs it into lib/systemd/system.
# In: SIO_UNIT_TEMPLATE, SIO_UNIT_STAGING (a directory of the build tree), SIO_UNIT_BINDIR and SIO_UNIT_SYSCONFDIR
# (CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_SYSCONFDIR as configured: relative to the prefix unless absolute).
if(IS_ABSOLUTE "${SIO_UNIT_BINDIR}")
  set(SIO_GATEWAY_EXE "${SIO_UNIT_BINDIR}/sio-gateway")
else()
  set(SIO_GATEWAY_EXE "${CMAKE_INSTALL_PREFIX}/${SIO_UNIT_BINDIR}/sio-gateway")
endif()
# The configuration directory as GNUInstallDirs derives it: /etc for the prefixes / and /usr, /etc/opt/... for
# /opt/..., else <prefix>/etc.
if(IS_ABSOLUTE "${SIO_UNIT_SYSCONFDIR}")
  set(_sio_etc "${SIO_UNIT_SYSCONFDIR}")
elseif(SIO_UNIT_SYSCONFDIR STREQUAL "etc" AND CMAKE_INSTALL_PREFIX MATCHES "^/(usr/?)?$")
  set(_sio_etc /etc)
elseif(SIO_UNIT_SYSCONFDIR STREQUAL "etc" AND CMAKE_INSTALL_PREFIX MATCHES "^/opt/")
  set(_sio_etc "/etc${CMAKE_INSTALL_PREFIX}")
else()
  set(_sio_etc "${CMAKE_INSTALL_PREFIX}/${SIO_UNIT_SYSCONFDIR}")
endif()
set(SIO_GATEWAY_ENV_FILE "${_sio_etc}/sio-gateway/sio-gateway.env")
foreach(_sio_var SIO_GATEWAY_EXE SIO_GATEWAY_ENV_FILE)
  string(REGEX REPLACE "/+" "/" ${_sio_var} "${${_sio_var}}")
endforeach()

# One file per destination: installs into two prefixes may run at once (the packaging tests do).
string(SHA1 _sio_key "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
set(_sio_unit "${SIO_UNIT_STAGING}/${_sio_key}/sio-gateway.service")
configure_file("${SIO_UNIT_TEMPLATE}" "${_sio_unit}" @ONLY)
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE FILES "${_sio_unit}")
file(REMOVE_RECURSE "${SIO_UNIT_STAGING}/${_sio_key}")
