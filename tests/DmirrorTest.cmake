# dmirror_test_tier(NAME LABEL [LIBS...]): one GoogleTest executable built from
# every *_test.cc in the calling directory, each TEST registered with ctest
# under LABEL.
include(GoogleTest)
function(dmirror_test_tier name label)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE dmirror::dmirror dmirror_testing GTest::gtest GTest::gmock GTest::gtest_main ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/lib/src ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE DMIRROR_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_compile_definitions(${name} PRIVATE DMIRRORCTL_PATH="$<TARGET_FILE:dmirrorctl>")
  add_dependencies(${name} dmirrorctl)
  gtest_discover_tests(${name} PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60)
endfunction()
