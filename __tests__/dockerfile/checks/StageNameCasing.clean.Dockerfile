FROM scratch AS good-name
