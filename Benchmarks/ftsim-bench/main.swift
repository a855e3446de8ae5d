import FineTuneSim
print("benchmark not written yet")
