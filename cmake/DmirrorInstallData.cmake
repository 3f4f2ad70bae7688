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

install(FILES ${PROJECT_SOURCE_DIR}/systemd/dmirror-scrub@.timer ${PROJECT_SOURCE_DIR}/systemd/dmirror-scrub-continue@.timer
        DESTINATION ${DMIRROR_SYSTEMDUNITDIR})

# The units and the rule name dmirrorctl where it is installed: the prefix
# of `cmake --install --prefix P` when given, not only the configured one
# (a copy configured with the configured prefix stays in the build tree).
# The templates are filled in at install time, then installed like FILES.
function(dmirror_install_configured template destination)
  get_filename_component(name ${template} NAME_WLE)
  get_filename_component(subdir ${template} DIRECTORY)
  get_filename_component(subdir ${subdir} NAME)
  configure_file(${template} ${PROJECT_BINARY_DIR}/${subdir}/${name} @ONLY)
  set(out ${PROJECT_BINARY_DIR}/install-configured/${name})
  if(IS_ABSOLUTE "${destination}")
    set(dest "${destination}")
  else()
    set(dest "\${CMAKE_INSTALL_PREFIX}/${destination}")
  endif()
  if(IS_ABSOLUTE "${CMAKE_INSTALL_SBINDIR}")
    set(sbin "${CMAKE_INSTALL_SBINDIR}")
  else()
    set(sbin "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}")
  endif()
  install(CODE "set(DMIRROR_SBINDIR \"${sbin}\")
configure_file(\"${template}\" \"${out}\" @ONLY)
file(INSTALL DESTINATION \"${dest}\" TYPE FILE FILES \"${out}\")")
endfunction()
foreach(in dmirror-scrub@.service dmirror-scrub-continue@.service dmirror-monitor.service dmirror-volume@.service)
  dmirror_install_configured(${PROJECT_SOURCE_DIR}/systemd/${in}.in ${DMIRROR_SYSTEMDUNITDIR})
endforeach()
dmirror_install_configured(${PROJECT_SOURCE_DIR}/udev/69-dmirror.rules.in ${DMIRROR_UDEVRULESDIR})

install(FILES README.md docs/json.md docs/recovery.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES contrib/cron.d/dmirror DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/cron.d)

if(EXISTS ${PROJECT_SOURCE_DIR}/docs/man/CMakeLists.txt AND TARGET dmirrorctl)
  add_subdirectory(${PROJECT_SOURCE_DIR}/docs/man ${PROJECT_BINARY_DIR}/man)
endif()
