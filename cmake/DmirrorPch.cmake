# Precompiled headers for the heavy header-only dependencies: CLI11 and
# nlohmann/json in dmirrorctl, GoogleTest in the test tiers. Without them
# every source file parses them again (a dmirrorctl command file spent most
# of its 12-18 s of compile time there). DMIRROR_PCH=OFF builds without.
option(DMIRROR_PCH "Precompile the heavy third-party headers" ON)

# dmirror_pch(TARGET HEADER...): TARGET's sources see HEADER... first, parsed once.
function(dmirror_pch target)
  if(DMIRROR_PCH)
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
