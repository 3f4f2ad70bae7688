# dmirror_test_tier(NAME LABEL [LIBS...]): one GoogleTest executable built from
# every *_test.cc in the calling directory, each TEST registered with ctest
# under LABEL.
include(GoogleTest)

# dmirror_light_test_target(TARGET): the test code of the unit, cli and
# loop tiers is built at -O0 in every configuration; under ASan + UBSan it is
# also left uninstrumented (the library, kernel glue and dmirrorctl it
# exercises stay instrumented). Its speed does not matter, and building it
# optimized and instrumented took three times the CPU (a cli test file: 20 s
# at -O1 with ASan, 6 s at -O0). TSan keeps instrumenting it: a thread of the
# test that TSan cannot see would make it report races that are not. The
# crash and oracle tiers do their work in test code and keep the build's
# optimization. Library or tool sources a test target compiles in go into an
# object library of their own, built like the library.
function(dmirror_light_test_target target)
  target_compile_options(${target} PRIVATE -O0)
  if(DMIRROR_SANITIZE MATCHES "address")
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()

function(dmirror_test_tier name label)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  if(NOT label STREQUAL "crash")
    dmirror_light_test_target(${name})
  endif()
  if(label STREQUAL "unit")
    # Compiled file by file: its files still share helper names at file
    # scope (open_mirror, slot, has, kSize...).
    set_target_properties(${name} PROPERTIES UNITY_BUILD OFF)
  endif()
  target_link_libraries(${name} PRIVATE dmirror::dmirror dmirror_testing GTest::gtest GTest::gmock GTest::gtest_main ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/lib/src ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE DMIRROR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # Only the cli and loop tiers run the tool; the others do not wait for it
  # to be built (the TSan job builds the library and its tests, nothing else).
  if(label STREQUAL "cli" OR label STREQUAL "loop")
    target_compile_definitions(${name} PRIVATE DMIRRORCTL_PATH="$<TARGET_FILE:dmirrorctl>")
    add_dependencies(${name} dmirrorctl)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60)
endfunction()
