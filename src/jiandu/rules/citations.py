"""Citations as readers see them: 《title》article, never the name of the seed file behind them.

`rules.loader.Citation.__str__` ends with the seed's file name (e.g. `001_…txt`), which is how the
rules are traced in development; a page names the regulation by its title and article only. Texts
built earlier from that string (a deadline's stored citation, a service's message) are cleaned the
same way.
"""

from __future__ import annotations

import re

# The file part Citation.__str__ appends: a full-width bracket around a bare file name.
_SEED_FILE = re.compile(r"（[A-Za-z0-9_./-]+\.[A-Za-z0-9]{1,5}）")


def cite(value: object) -> str:
    """A Citation as 《title》article, or any text quoting one, with seed file names taken out."""
    return _SEED_FILE.sub("", str(value or ""))
