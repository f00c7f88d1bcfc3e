/**
 * klog-style lines on stdout (journald captures them under the kubelet unit):
 * `I1122 15:50:00.123456   4242 pod_workers.go] "Started container" pod="kube-system/etcd-node1" container="etcd"`
 */
type Level = 'I' | 'W' | 'E';

function stamp(): string {
  const d = new Date();
  const two = (n: number): string => String(n).padStart(2, '0');
  const micros = String(d.getUTCMilliseconds() * 1000).padStart(6, '0');
  return `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${micros}`;
}

function line(level: Level, source: string, message: string, fields: Record<string, unknown>): string {
  const kv = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)}`)
    .join('');
  return `${level}${stamp()} ${String(process.pid).padStart(7)} ${source}] ${JSON.stringify(message)}${kv}\n`;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function logger(source: string, write: (text: string) => void = (t) => void process.stdout.write(t)): Logger {
  return {
    info: (m, f = {}) => write(line('I', source, m, f)),
    warn: (m, f = {}) => write(line('W', source, m, f)),
    error: (m, f = {}) => write(line('E', source, m, f)),
  };
}
