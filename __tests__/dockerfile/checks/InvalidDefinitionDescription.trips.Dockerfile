# check=experimental=InvalidDefinitionDescription

# bar this is the bar
ARG foo=bar
# BasE this is the BasE image
FROM scratch AS base
