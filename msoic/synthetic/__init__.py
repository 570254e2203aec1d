"""The synthetic data generator in its parts; msoic.demo builds a database with it."""
