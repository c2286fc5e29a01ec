# `make demo` and `make test` are the only commands a newcomer types: both set everything up first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# manimpango builds from source against pango; pkg-config finds it.
APT    := libpango1.0-dev pkg-config libegl1 libegl-mesa0 libgl1-mesa-dri

.PHONY: demo test gallery bench clean

demo: $(STAMP)
	$(PY) render.py

test: $(STAMP)
	$(PY) -m pytest -q

gallery: $(STAMP)
	$(PY) render.py explainer all --gif-dir docs/gallery

bench: $(STAMP)
	$(PY) bench/trajectories.py
	$(PY) bench/studies.py
	$(PY) bench/networks.py
	$(PY) bench/render.py

$(STAMP): requirements.txt
	@dpkg -s $(APT) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(APT); }
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

clean:
	rm -rf $(VENV) media
