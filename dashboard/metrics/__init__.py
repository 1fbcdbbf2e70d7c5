"""Metric definitions and computations shared by pages, notebooks and the command line.

No Streamlit import here: everything takes an engine and explicit arguments and returns DataFrames.
"""
