#!/bin/sh
# Two databases, two owners: the Rasa server's tracker database and the action server's leads
# database. Neither role can read the other's. Run by the postgres image on a new volume.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v tracker_pw="$TRACKER_DB_PASSWORD" -v leads_pw="$LEADS_DB_PASSWORD" <<'SQL'
CREATE ROLE ivig_tracker LOGIN PASSWORD :'tracker_pw';
CREATE ROLE ivig_leads LOGIN PASSWORD :'leads_pw';
CREATE DATABASE ivig_tracker OWNER ivig_tracker;
CREATE DATABASE ivig_leads OWNER ivig_leads;
REVOKE ALL ON DATABASE ivig_tracker FROM PUBLIC;
REVOKE ALL ON DATABASE ivig_leads FROM PUBLIC;
SQL
