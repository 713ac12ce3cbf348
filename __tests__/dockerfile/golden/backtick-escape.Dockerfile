# escape=`

FROM mcr.microsoft.com/windows/servercore:ltsc2022
ENV DIR=C:\app `
    MSG="say `"hi`""
WORKDIR C:\app
RUN dir C:\ `
    && echo done
COPY ["src files", "C:\\app\\"]
