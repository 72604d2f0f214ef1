# Registrar — `just` lists these recipes.

default:
    @just --list

# Run the server on the embedded SQLite default (registrar.db, mail in ./outbox)
run *ARGS:
    cargo run --release --bin registrar -- serve {{ARGS}}

# Run every test (Postgres tests skip loudly when no Postgres answers)
test *ARGS:
    cargo test --workspace {{ARGS}}

# Format the code
fmt:
    cargo fmt --all

# What CI checks: formatting, clippy with warnings as errors, and the
# dependency graph's licenses, bans and sources (cargo install cargo-deny)
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo deny check licenses bans sources

# Everything CI runs (starts or installs Postgres if needed)
ci:
    CI=true bash .ci/run

# Run registrar with any arguments: just registrar client add --name "My app"
registrar *ARGS:
    cargo run --release --bin registrar -- {{ARGS}}

# Validate docker-compose.yml (no Docker engine needed)
compose-check:
    docker-compose config --quiet

# The benchmark, not part of CI (bench/README.md); `just bench --smoke` for a quick one
bench *ARGS:
    bash bench/run.sh {{ARGS}}

# The breached-password filter's figures (bench/README.md, "Breached passwords")
bench-breached *ARGS:
    cd bench/breached && cargo run --release -- {{ARGS}}
