"""The studio's own energy: GPU power logs and CodeCarbon runs -> hourly kWh -> kgCO2e -> solar.

Readers (:mod:`.nvidia_smi`, :mod:`.codecarbon`) turn logs into hourly kWh per device and
job (the warehouse table ``studio_energy``); :mod:`.emissions` prices each hour with the
grid zone's carbon intensity; :mod:`.solar` models PV with pvlib and sizes it.
"""

# Defaults the command line shows in its help; kept here so that building the parser does
# not import pvlib/pandas (solar) or numpy (emissions).
MEXICO_CITY = (19.4326, -99.1332, 2240.0)  # Mexico City (Zócalo), metres above sea level
DEFAULT_ZONE = "MX-CE"  # Mexico City's control region (Central)
