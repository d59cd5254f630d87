"""The local web app (`sufficiency-sim app`): `levers` the logic, `main` the page."""
