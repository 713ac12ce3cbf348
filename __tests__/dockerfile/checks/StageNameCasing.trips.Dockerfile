FROM scratch AS BadStageName

FROM scratch AS base3
