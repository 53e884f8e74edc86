"""The pure core: no database, no clock reads, no terminal."""
