"""Getting articles into the archive: one module per source format, plus the pipeline."""
