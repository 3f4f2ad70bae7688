# Install rules for everything that is not a library or the tool: shell
# completions, systemd units, the udev rule, man pages, docs and examples.
# Unit and rule files name the installed dmirrorctl (@DMIRROR_SBINDIR@).
#   DMIRROR_SYSTEMDUNITDIR  default <prefix>/lib/systemd/system
#   DMIRROR_UDEVRULESDIR    default <prefix>/lib/udev/rules.d
set(DMIRROR_SYSTEMDUNITDIR "lib/systemd/system" CACHE STRING "systemd system unit directory (relative: under the prefix)")
set(DMIRROR_UDEVRULESDIR "lib/udev/rules.d" CACHE STRING "udev rules directory (relative: under the prefix)")
set(DMIRROR_SBINDIR ${CMAKE_INSTALL_FULL_SBINDIR})

install(FILES completions/dmirrorctl.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME dmirrorctl)
install(FILES completions/_dmirrorctl DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES completions/dmirrorctl.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

set(_units ${PROJECT_SOURCE_DIR}/systemd/dmirror-scrub@.timer ${PROJECT_SOURCE_DIR}/systemd/dmirror-scrub-continue@.timer)
foreach(in dmirror-scrub@.service dmirror-scrub-continue@.service dmirror-monitor.service)
  configure_file(systemd/${in}.in ${PROJECT_BINARY_DIR}/systemd/${in} @ONLY)
  list(APPEND _units ${PROJECT_BINARY_DIR}/systemd/${in})
endforeach()
install(FILES ${_units} DESTINATION ${DMIRROR_SYSTEMDUNITDIR})

configure_file(udev/69-dmirror.rules.in ${PROJECT_BINARY_DIR}/udev/69-dmirror.rules @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/udev/69-dmirror.rules DESTINATION ${DMIRROR_UDEVRULESDIR})

install(FILES README.md docs/json.md docs/recovery.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES contrib/cron.d/dmirror DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/cron.d)

if(EXISTS ${PROJECT_SOURCE_DIR}/docs/man/CMakeLists.txt AND TARGET dmirrorctl)
  add_subdirectory(${PROJECT_SOURCE_DIR}/docs/man ${PROJECT_BINARY_DIR}/man)
endif()
