# One image for every Pacta process; the command chooses which one runs:
#   pacta-bus | pacta-contracts | pacta-invoicing | pacta-enforcement |
#   pacta-notifications | pacta-gdpr-retention | pactactl
# (docker-compose.yml sets it per service). See docs/operations.md.
#
# Stages:
#   build         Debian 12 with EXACTLY the packages of deploy/packages.txt,
#                 installed by the same function scripts/test.sh and
#                 scripts/run.sh use (scripts/lib.sh: pacta_ensure_packages),
#                 so the image is built on the machine the tests ran on.
#   runtime       Debian 12 slim with only the shared libraries the binaries
#                 load (derived from them by deploy/runtime-packages.sh: a
#                 subset of what the build stage installed), a non-root user.
#   smtp-catcher  the `demo` profile's SMTP server (python3-aiosmtpd, also in
#                 deploy/packages.txt): prints every mail it receives.
#   redis         Debian 12's redis-server, the very package the tests run
#                 against, started by deploy/redis/start-redis.sh as user redis.
# runtime is the last stage, so a plain `docker build .` makes the service image.
# No secret is copied in: keys and passwords are mounted at run time
# (.dockerignore keeps secrets/ out of the build context).

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY deploy/packages.txt deploy/packages.txt
COPY scripts/lib.sh scripts/lib.sh
RUN bash -c 'source scripts/lib.sh && pacta_ensure_packages' \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPACTA_BUILD_TESTS=OFF \
 && cmake --build /build -j "$(nproc)"
RUN mkdir -p /out/bin \
 && for binary in bus/pacta-bus contracts/pacta-contracts invoicing/pacta-invoicing \
                   enforcement/pacta-enforcement notifications/pacta-notifications \
                   gdpr-retention/pacta-gdpr-retention pactactl/pactactl; do \
      install -m 0755 "/build/services/$binary" /out/bin/ || exit 1; \
    done \
 && deploy/runtime-packages.sh /out/bin/* >/out/runtime-packages.txt \
 && cat /out/runtime-packages.txt

FROM debian:bookworm-slim AS smtp-catcher
ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-aiosmtpd \
 && rm -rf /var/lib/apt/lists/*
USER 65534:65534
EXPOSE 1025
CMD ["python3", "-m", "aiosmtpd", "--nosetuid", "--listen", "0.0.0.0:1025", "--class", "aiosmtpd.handlers.Debugging"]

FROM debian:bookworm-slim AS redis
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/*
# /data: the AOF and RDB files (a named volume starts with this owner);
# /run/pacta-redis: the ACL file rendered at every start.
RUN mkdir -p /data /run/pacta-redis \
 && chown redis:redis /data /run/pacta-redis \
 && chmod 700 /run/pacta-redis
USER redis
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["/bin/sh", "/etc/pacta/redis/start-redis.sh"]

FROM debian:bookworm-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
COPY --from=build /out/runtime-packages.txt /usr/share/pacta/runtime-packages.txt
RUN apt-get update \
 && xargs -a /usr/share/pacta/runtime-packages.txt apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 pacta \
 && useradd --system --uid 10001 --gid pacta --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin pacta
COPY --from=build /out/bin/ /usr/local/bin/
# The shipped terms profiles; compose mounts deploy/profiles over them.
COPY deploy/profiles/ /etc/pacta/profiles/
# The notice templates (built into pacta-notifications too; compose mounts deploy/templates over these).
COPY deploy/templates/ /etc/pacta/templates/
ENV PACTA_TEMPLATE_DIR=/etc/pacta/templates
ENV PACTA_PROFILE_DIR=/etc/pacta/profiles
USER 10001:10001
WORKDIR /tmp
# bus frontend, bus backend, /healthz + /metrics of the bus and the five services
EXPOSE 5560 5561 8080 8081 8082 8083 8084 8085
STOPSIGNAL SIGTERM
CMD ["pactactl", "--help"]
