FROM scratch
ENV testkey value
LABEL key value
env lower case
