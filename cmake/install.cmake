# `make install` / `cmake --install BUILD --prefix PREFIX` (DESTDIR honoured): the binary
# stripped, its debug info in a separate file, Postfix's command names as links, the man
# pages, a default main.cf/master.cf (never over an existing one), the systemd unit and the
# documentation, where Debian's FHS puts them (issue 18).
include(GNUInstallDirs)

option(CORREIO_INSTALL_STRIP
       "Strip the installed binary, keeping its debug info in PREFIX/lib/debug (a Debian package build turns this off: dh_strip does it)"
       ON)
set(CORREIO_SYSTEMD_UNIT_DIR "" CACHE STRING
    "Where the systemd unit goes (empty: PREFIX/lib/systemd/system; Debian 12 packages: /lib/systemd/system)")

# postconf(5) is generated from the defaults table compiled into the binary, as `postconf
# -d` and docs/configuration.md are, so the three cannot drift.
set(CORREIO_POSTCONF_5 ${CMAKE_BINARY_DIR}/man/postconf.5)
add_custom_command(OUTPUT ${CORREIO_POSTCONF_5}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND sh -c "\"$1\" postconf --reference-man > \"$2\"" sh $<TARGET_FILE:correio>
          ${CORREIO_POSTCONF_5}
  DEPENDS correio COMMENT "Generating postconf(5) from the defaults table" VERBATIM)
add_custom_target(man_pages ALL DEPENDS ${CORREIO_POSTCONF_5})

install(TARGETS correio RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})

# Paths in install(CODE) use the prefix given at install time (`cmake --install --prefix`),
# hence \${CMAKE_INSTALL_PREFIX} escaped, and DESTDIR.
set(CORREIO_SBIN "\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}")
set(CORREIO_BIN "\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}")

# Debian's layout: the debug info goes to /usr/lib/debug/<path>.debug, which gdb finds
# through the .gnu_debuglink that replaces it in the stripped binary.
if(CORREIO_INSTALL_STRIP)
install(CODE "
  set(bin \"${CORREIO_SBIN}/correio\")
  set(dbg \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/debug\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}/correio.debug\")
  get_filename_component(dbg_dir \"\${dbg}\" DIRECTORY)
  file(MAKE_DIRECTORY \"\${dbg_dir}\")
  execute_process(COMMAND ${CMAKE_OBJCOPY} --only-keep-debug \"\${bin}\" \"\${dbg}\"
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${CMAKE_STRIP} --strip-debug --strip-unneeded \"\${bin}\"
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND ${CMAKE_OBJCOPY} --add-gnu-debuglink=\${dbg} \"\${bin}\"
                  COMMAND_ERROR_IS_FATAL ANY)
  file(CHMOD \"\${dbg}\" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")
endif()

# The binary behaves as the command it is called by (src/main.cpp).
set(CORREIO_SBIN_LINKS postfix postconf postmap postalias postqueue postsuper postcat qshape
    sendmail)
set(CORREIO_BIN_LINKS mailq newaliases)
foreach(name IN LISTS CORREIO_SBIN_LINKS)
  install(CODE "file(CREATE_LINK correio \"${CORREIO_SBIN}/${name}\" SYMBOLIC)")
endforeach()
foreach(name IN LISTS CORREIO_BIN_LINKS)
  install(CODE "
    file(MAKE_DIRECTORY \"${CORREIO_BIN}\")
    file(RELATIVE_PATH to_sbin \"${CORREIO_BIN}\" \"${CORREIO_SBIN}\")
    file(CREATE_LINK \"\${to_sbin}/correio\" \"${CORREIO_BIN}/${name}\" SYMBOLIC)")
endforeach()

file(GLOB CORREIO_MAN1 ${CMAKE_SOURCE_DIR}/man/*.1)
install(FILES ${CORREIO_MAN1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/man/master.5 ${CORREIO_POSTCONF_5}
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CMAKE_SOURCE_DIR}/man/correio.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

# The binary reads /etc/correio whatever the prefix (config_directory's default), so the
# default files go there; an administrator's own files are never replaced.
foreach(file main.cf master.cf)
  install(CODE "
    set(dest \"\$ENV{DESTDIR}/etc/correio/${file}\")
    if(NOT EXISTS \"\${dest}\")
      file(INSTALL ${CMAKE_SOURCE_DIR}/packaging/${file} DESTINATION /etc/correio
           PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    endif()")
endforeach()

# The unit names /usr/sbin/correio (packaging/correio.service); another prefix gets its path.
install(CODE "
  file(READ ${CMAKE_SOURCE_DIR}/packaging/correio.service unit)
  string(REPLACE /usr/sbin/correio \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}/correio\"
         unit \"\${unit}\")
  set(dir \"${CORREIO_SYSTEMD_UNIT_DIR}\")
  if(NOT dir)
    set(dir \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  endif()
  file(WRITE \"\$ENV{DESTDIR}\${dir}/correio.service\" \"\${unit}\")")

file(GLOB CORREIO_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CORREIO_DOCS} ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
