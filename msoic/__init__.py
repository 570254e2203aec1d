"""MSOIC Analysis: modern slavery and organised immigration crime operations, victims and offenders."""
