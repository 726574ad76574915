#!/bin/sh
# Runs once, when the database container initialises an empty data folder.
# Creates the owner of flockgov's tables, the flockgov_app group that the
# migrations grant INSERT/SELECT-only rights on the audit trail to, and the
# application's login role inside that group. See docs/deployment.md.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_pw="$FLOCKGOV_OWNER_DB_PASSWORD" \
    -v web_pw="$FLOCKGOV_WEB_DB_PASSWORD" <<'SQL'
CREATE ROLE flockgov_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE flockgov_app NOLOGIN;
CREATE ROLE flockgov_web LOGIN PASSWORD :'web_pw' IN ROLE flockgov_app;
CREATE DATABASE flockgov OWNER flockgov_owner;
REVOKE ALL ON DATABASE flockgov FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE flockgov TO flockgov_app;
\connect flockgov
ALTER SCHEMA public OWNER TO flockgov_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
