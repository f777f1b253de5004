"""The studio's own energy: GPU power logs and CodeCarbon runs -> hourly kWh -> kgCO2e -> solar.

Readers (:mod:`.nvidia_smi`, :mod:`.codecarbon`) turn logs into hourly kWh per device and
job (the warehouse table ``studio_energy``); :mod:`.emissions` prices each hour with the
grid zone's carbon intensity; :mod:`.solar` models PV with pvlib and sizes it.
"""
