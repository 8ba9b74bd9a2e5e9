"""Chart builders: pure functions from a frame to an Altair chart (no Streamlit, no queries)."""
