"""The packages: app/, ui/, db/ and resources/ in the checkout are installed as fieldwork.app, fieldwork.ui,
fieldwork.db and fieldwork.resources, so nothing else in site-packages is named after them. The rest is in
pyproject.toml; setup.py exists because the package list is found, then renamed, which pyproject.toml cannot say."""

from setuptools import find_namespace_packages, setup

TOP = ("app", "ui", "db", "resources")
found = find_namespace_packages(include=[pattern for name in TOP for pattern in (name, f"{name}.*")])
setup(packages=[f"fieldwork.{name}" for name in found], package_dir={f"fieldwork.{name}": name for name in TOP})
