# Install rules, the CMake package (sio::emitter, sio::emitter_c, sio::emitter_static), sio-emitter.pc, sio-gateway
# with its systemd unit, and the Debian package (cpack -G DEB). Included by the top-level CMakeLists.txt when
# SIO_INSTALL is ON.
include(CMakePackageConfigHelpers)

set(SIO_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/sio)

# notify finds libsio-emitter.so relative to itself, so any prefix works without LD_LIBRARY_PATH.
file(RELATIVE_PATH _sio_bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
set_target_properties(notify PROPERTIES INSTALL_RPATH "$ORIGIN/${_sio_bin_to_lib}")

install(TARGETS sio-emitter sio-emitter-c EXPORT sioTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS sio-emitter-static EXPORT sioStaticTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS notify RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# ---- sio-gateway (when built): the executable (sio::internal is linked in statically: no RPATH needed), its systemd
# unit, the template of the unit's environment file, and the demo page's socket.io-client bundle.
if(TARGET sio-gateway)
  install(TARGETS sio-gateway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # share/sio-gateway beside bin/: where the gateway looks for the bundle (gateway/src/app/demo_client.hpp).
  set(_sio_gateway_share share/sio-gateway)
  install(FILES packaging/sio-gateway.env.example DESTINATION ${_sio_gateway_share})
  # socket.io-client's browser bundle (MIT; its LICENSE goes beside it) from npm, never from the repository: by
  # default the lockfile-pinned copy scripts/setup puts into tests/interop/node_modules. Without it the install
  # has no bundle and the demo page needs --demo-client-js (README "sio-gateway").
  set(SIO_SOCKET_IO_CLIENT_DIR ${PROJECT_SOURCE_DIR}/tests/interop/node_modules/socket.io-client CACHE PATH
    "npm package socket.io-client whose dist/socket.io.min.js sio-gateway's demo page is installed with")
  if(EXISTS ${SIO_SOCKET_IO_CLIENT_DIR}/dist/socket.io.min.js AND EXISTS ${SIO_SOCKET_IO_CLIENT_DIR}/LICENSE)
    install(FILES ${SIO_SOCKET_IO_CLIENT_DIR}/dist/socket.io.min.js DESTINATION ${_sio_gateway_share})
    install(FILES ${SIO_SOCKET_IO_CLIENT_DIR}/LICENSE DESTINATION ${_sio_gateway_share}
      RENAME socket.io-client.LICENSE)
    set_property(TARGET sio-gateway PROPERTY SIO_INSTALLS_DEMO_CLIENT_JS ON)  # tests/packaging expects it
  else()
    message(STATUS "sio-gateway: no ${SIO_SOCKET_IO_CLIENT_DIR}/dist/socket.io.min.js (run scripts/setup): "
      "the demo page's socket.io-client bundle is not installed")
  endif()
  # lib/systemd/system/sio-gateway.service, written for the prefix installed to (cmake/SioGatewayUnit.cmake).
  install(CODE "
    set(SIO_UNIT_TEMPLATE \"${PROJECT_SOURCE_DIR}/packaging/systemd/sio-gateway.service.in\")
    set(SIO_UNIT_STAGING \"${PROJECT_BINARY_DIR}/packaging/systemd\")
    set(SIO_UNIT_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
    set(SIO_UNIT_SYSCONFDIR \"${CMAKE_INSTALL_SYSCONFDIR}\")")
  install(SCRIPT cmake/SioGatewayUnit.cmake)
endif()

install(FILES
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/backoff.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/emitter.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/error.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/export.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/options.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/outcome.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/replies.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/value.hpp
  ${PROJECT_SOURCE_DIR}/emitter/include/sio/version.hpp
  ${SIO_C_INCLUDE_DIR}/sio/emitter.h
  ${SIO_GENERATED_INCLUDE_DIR}/sio/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sio)

# Two export sets: the static library's names fmt and hiredis targets, which sioConfig.cmake looks up only for it.
install(EXPORT sioTargets NAMESPACE sio:: DESTINATION ${SIO_INSTALL_CMAKEDIR})
install(EXPORT sioStaticTargets NAMESPACE sio:: DESTINATION ${SIO_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/sioConfig.cmake.in ${PROJECT_BINARY_DIR}/sioConfig.cmake
  INSTALL_DESTINATION ${SIO_INSTALL_CMAKEDIR})
# Before 1.0 a minor release may break the ABI (notify checks MAJOR.MINOR too): 0.4.x satisfies only 0.4 requests.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_sio_compatibility SameMinorVersion)
else()
  set(_sio_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sioConfigVersion.cmake
  COMPATIBILITY ${_sio_compatibility})
install(FILES ${PROJECT_BINARY_DIR}/sioConfig.cmake ${PROJECT_BINARY_DIR}/sioConfigVersion.cmake
  DESTINATION ${SIO_INSTALL_CMAKEDIR})

# pkg-config: prefix relative to the .pc file, because cpack installs under a different prefix than configured.
file(RELATIVE_PATH SIO_PC_RELATIVE_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" SIO_PC_RELATIVE_PREFIX "${SIO_PC_RELATIVE_PREFIX}")
configure_file(cmake/sio-emitter.pc.in ${PROJECT_BINARY_DIR}/sio-emitter.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sio-emitter.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# A parent project that add_subdirectory()s sio with SIO_INSTALL ON keeps its own CPack configuration.
if(NOT SIO_TOP_LEVEL)
  return()
endif()

# ---- cpack -G DEB: one package "sio" with the runtime, notify, sio-gateway and its systemd unit, and the
# development files (headers, static library, CMake and pkg-config files): small enough that splitting it would only
# add steps. Depends is computed by dpkg-shlibdeps (package dpkg-dev) from libsio-emitter.so, notify and sio-gateway
# (libjwt among others): runtime libraries only.
set(CPACK_PACKAGE_NAME sio)
set(CPACK_PACKAGE_VENDOR "sio maintainers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "Publishes Socket.IO broadcasts through Redis byte for byte like @socket.io/redis-emitter: the notify command, \
the shared and static library libsio-emitter (C++20 and C APIs), their headers, CMake package and pkg-config file; \
and sio-gateway, a Socket.IO server that delivers them to socket.io-client apps, with its systemd unit \
(sio-gateway.service, not enabled on install; settings and a random JWT secret in /etc/sio-gateway/sio-gateway.env).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo builds: no debug info in the package
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "sio maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # sio_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libsio-emitter.so.0.4 is in the package itself: dpkg-shlibdeps must not look for another package providing it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/emitter)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# libsio-emitter.so loads libssl with dlopen() on the first rediss:// connection (tls_stream.cpp: a plain redis://
# process never pays for loading OpenSSL), which dpkg-shlibdeps cannot see. The package that holds the libssl this
# build was made against is named here: libssl3 on Debian 12, libssl3t64 on Debian 13 (dpkg-query knows which).
get_filename_component(_sio_libssl "${OPENSSL_SSL_LIBRARY}" REALPATH)
execute_process(COMMAND dpkg-query -S "${_sio_libssl}" OUTPUT_VARIABLE _sio_libssl_owner
                RESULT_VARIABLE _sio_dpkg_result ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
if(_sio_dpkg_result EQUAL 0 AND _sio_libssl_owner MATCHES "^([^:, ]+)")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CMAKE_MATCH_1}")
elseif(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  message(STATUS "sio: no Debian package owns ${_sio_libssl}: a .deb made here would not depend on libssl")
endif()
# Maintainer scripts (packaging/debian): ldconfig (cpack writes no postinst/postrm of its own once there are
# some), sio-gateway's environment file with a random secret (postinst; purge removes it), the unit stopped on
# removal. The service is never enabled or started by the package.
if(TARGET sio-gateway)
  set(SIO_GATEWAY_ENV_FILE /etc/sio-gateway/sio-gateway.env)
  set(SIO_GATEWAY_ENV_TEMPLATE /usr/share/sio-gateway/sio-gateway.env.example)
  foreach(_sio_script postinst postrm)
    configure_file(packaging/debian/${_sio_script}.in ${PROJECT_BINARY_DIR}/packaging/debian/${_sio_script} @ONLY)
  endforeach()
  configure_file(packaging/debian/prerm ${PROJECT_BINARY_DIR}/packaging/debian/prerm COPYONLY)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/debian/postinst
    ${PROJECT_BINARY_DIR}/packaging/debian/prerm ${PROJECT_BINARY_DIR}/packaging/debian/postrm)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)  # maintainer scripts 0755, whatever the checkout's modes
endif()
set(CPACK_GENERATOR DEB)
include(CPack)
