"""Schedules: cron expressions in a time zone, stored in the database, fired by beat once per slot."""
