#!/usr/bin/env python3
"""Where a thread's time goes, from a JFR recording: its execution samples by category.

    ops/bench/jfr-categories.py FILE.jfr THREAD_REGEX [EVENT]

For example, the stream thread of a `sluice bench` run recorded with
`java -XX:StartFlightRecording=delay=125s,duration=60s,filename=F.jfr,settings=profile -jar
topology/target/sluice.jar bench --rate 1000 --warmup-s 120 --duration-s 60`:

    ops/bench/jfr-categories.py F.jfr 'StreamThread-1$'

Each sample goes to the category of its innermost frame that names one (so Kafka's metrics
inside a consumer poll count as metrics, and a HashMap lookup inside Sluice's code as Sluice's).
EVENT is jdk.ExecutionSample (Java code on the CPU) unless given, e.g. jdk.NativeMethodSample.
Needs the JDK's `jfr` on the PATH.
"""
import collections
import re
import subprocess
import sys

CATEGORIES = [  # (name, pattern of a frame); the first pattern that matches a frame decides
    ('Kafka client metrics (Sensor.record)', r'^org\.apache\.kafka\.common\.metrics\.'),
    ('Micrometer', r'^io\.micrometer\.'),
    ('RocksDB (Java side)', r'^org\.rocksdb\.|RocksDB(Store|WindowStore|Segmented)|AbstractRocksDBSegmented'),
    ('record size bounds (AvroSize)', r'AvroSize\.'),
    ('Avro serialize', r'ConfluentAvroSerde\.serialize|StateSerdes\.raw(Value|Key)|Serializer\.serialize'),
    ('Avro deserialize', r'ConfluentAvroSerde\.deserialize|Deserializer\.deserialize|StateSerdes\.valueFrom'),
    ('producer send', r'KafkaProducer\.(do)?[sS]end'),
    ('consumer poll and fetch', r'(Classic)?KafkaConsumer\.poll'),
    ('commit', r'TaskManager\.commit|StreamThread\.maybeCommit|TaskExecutor\.commit'),
    ('Kafka Streams framework, other', r'^org\.apache\.kafka\.streams\.'),
    ('Sluice logic', r'^io\.sluice\.'),
]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    recording, thread = sys.argv[1], re.compile(sys.argv[2])
    event = sys.argv[3] if len(sys.argv) > 3 else 'jdk.ExecutionSample'
    text = subprocess.run(['jfr', 'print', '--events', event, '--stack-depth', '128', recording],
                          capture_output=True, text=True, check=True).stdout
    counts, total = collections.Counter(), 0
    for sample in text.split(event + ' {')[1:]:
        name = re.search(r'sampledThread = "([^"]*)"', sample)
        if not name or not thread.search(name.group(1)):
            continue
        total += 1
        category = 'other'
        for frame in re.findall(r'^\s+([\w$.<>]+)\(', sample, re.M):
            category = next((c for c, p in CATEGORIES if re.search(p, frame)), None)
            if category:
                break
        counts[category or 'other'] += 1
    print('samples', total)
    for category, n in counts.most_common():
        print('%5.1f%% %s' % (100.0 * n / max(total, 1), category))


if __name__ == '__main__':
    main()
