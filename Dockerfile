# syntax=docker/dockerfile:1
#
# Registrar container image.
#
#   docker build -t registrar .          (BuildKit: the default since Docker 23)
#   docker run -p 8080:8080 -v registrar-data:/var/lib/registrar registrar
#
# Without configuration it serves on 0.0.0.0:8080 with SQLite in
# /var/lib/registrar/registrar.db and mail as .eml files in
# /var/lib/registrar/outbox. Every setting is a REGISTRAR__<SECTION>__<KEY>
# variable (see .env.example); docker-compose.yml runs it on PostgreSQL with
# Mailpit for mail.

# ---------------------------------------------------------------- builder
FROM rust:1-bookworm AS builder

WORKDIR /src

# Only what the build reads: the manifests, the crates (sources, locales, mail
# templates, the common-password list) and the migrations, which
# diesel_migrations embeds at compile time. pq-sys and libsqlite3-sys are
# built "bundled" with the image's C compiler, so no -dev packages are needed.
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
COPY migrations ./migrations

# The registry and target dir live in BuildKit cache mounts so rebuilds only
# recompile what changed. A cache mount is not part of the layer, so the binary
# is copied out of it to /out.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --bin registrar \
 && install -D -m 0755 target/release/registrar /out/registrar

# ---------------------------------------------------------------- runtime
# debian:bookworm-slim rather than distroless/cc-debian12: the binary links
# only glibc and libgcc_s (TLS is rustls, Postgres and SQLite are linked in),
# so either works, but the binary has no health-check subcommand yet and
# distroless has no shell, curl or wget to probe /healthz. slim + curl keeps
# HEALTHCHECK in the image itself (so `docker run` and orchestrators that read
# it get it too) for ~10 MB, and a shell to debug with. Same Debian release as
# the builder, so the glibc the binary was linked against is there.
FROM debian:bookworm-slim AS runtime

# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed, non-root uid/gid (10001) so volume ownership is predictable and
# Kubernetes' runAsNonRoot can verify it. Its home is the data directory.
RUN groupadd --system --gid 10001 registrar \
 && useradd --system --uid 10001 --gid registrar \
      --home-dir /var/lib/registrar --no-create-home --shell /usr/sbin/nologin registrar \
 && install -d -o registrar -g registrar -m 0750 /var/lib/registrar

COPY --from=builder /out/registrar /usr/local/bin/registrar

# Listen on every interface inside the container (the default, 127.0.0.1,
# would be unreachable from outside it).
ENV REGISTRAR__HTTP__HOST=0.0.0.0

# The relative defaults land here: sqlite://registrar.db and the mail outbox.
# Declared after the chown above, so a new named volume starts owned by
# registrar. Unused (but harmless) when the database is PostgreSQL and mail
# goes over SMTP.
WORKDIR /var/lib/registrar
VOLUME ["/var/lib/registrar"]

USER 10001:10001

EXPOSE 8080

# Liveness only (/healthz answers while the process serves HTTP); /readyz also
# checks the database. Follows REGISTRAR__HTTP__PORT if that is changed; curl's
# own exit codes are folded into 1, the only "unhealthy" Docker defines.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["sh", "-c", "curl -fsS -o /dev/null \"http://127.0.0.1:${REGISTRAR__HTTP__PORT:-8080}/healthz\" || exit 1"]

# registrar is PID 1 and handles SIGTERM itself: it stops accepting, lets
# in-flight requests finish for up to http.shutdown_timeout (30 s), then exits.
# Give it that long: `docker stop -t 35`, or stop_grace_period in compose.
STOPSIGNAL SIGTERM

ENTRYPOINT ["registrar"]
CMD ["serve"]
