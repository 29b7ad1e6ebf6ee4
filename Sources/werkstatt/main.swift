import ArgumentParser
import WerkstattAPI
print("x")
