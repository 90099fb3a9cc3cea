"""SMP Consult's custom actions.

The action server imports this package; the clinic profile is loaded and checked here, so a
missing or invalid field stops the server at start with a message that names the field.
"""

import logging

from actions.profile import ProfileError, get_profile

logger = logging.getLogger(__name__)

try:
    _profile = get_profile()
except ProfileError as error:
    raise SystemExit(f"SMP Consult cannot start: {error}") from error

if _profile.sample:
    logger.warning(
        "The clinic profile is the fictional SAMPLE clinic (%s). Edit clinic/profile.yml and set "
        "`sample: false` before clients see this assistant.",
        _profile.name,
    )
