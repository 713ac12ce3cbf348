# check=experimental=InvalidDefinitionDescription

# foo this is the foo
ARG foo=bar
# base this is the base image
FROM scratch AS base
#
ARG other
