"""Parameter sweeps: TOML configs, a resumable SQLite results store, local and Dask execution."""
