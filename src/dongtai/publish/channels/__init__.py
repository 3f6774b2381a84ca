"""The built-in channels (registered as entry points in ``dongtai.channels``)."""
