from bench import assessment, crowd, load, queue

assessment.report()
load.report(load.run())
queue.report(queue.run())
crowd.report(crowd.run())
