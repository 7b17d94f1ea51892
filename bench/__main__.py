from bench import load

load.report(load.run())
