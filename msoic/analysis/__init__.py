"""Pure Polars analysis: frames in, frames out; no database and no Streamlit."""
