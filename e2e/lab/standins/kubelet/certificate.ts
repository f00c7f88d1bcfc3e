/**
 * The kubelet's client certificate, as pkg/kubelet/certificate/bootstrap and client-go's certificate manager and
 * file store handle it:
 *
 * - FileStore "kubelet-client" in --cert-dir: `kubelet-client-<2006-01-02-15-04-05>.pem` (certificate then key,
 *   0600) and the symlink `kubelet-client-current.pem` pointing at the newest.
 * - LoadClientConfig (rotateCertificates: true, what kubeadm configures): a kubeconfig whose client certificate is
 *   still valid is used as it is; otherwise the kubeconfig is (re)written to point at kubelet-client-current.pem with
 *   the bootstrap kubeconfig's cluster, and the certificate manager requests a certificate with the bootstrap
 *   credentials. A certificate embedded in the kubeconfig (kubeadm init's kubelet.conf) seeds the store and is
 *   rotated at once.
 * - LoadClientCert (rotateCertificates: false): the request is named node-csr-<digest> and made before anything else.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { ApiClient, ApiError, clientCertOf, isAlreadyExists, loadRestConfig, type Credentials, type RestConfig } from './apiclient.js';
import { digestedName, generateNodeKey, makeCsrPem, nodeClientSubject, nodeClientUsages, parseKey } from './csr.js';
import type { Logger } from './log.js';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

export interface CertKey {
  cert: Buffer;
  key: Buffer;
  leaf: X509Certificate;
}

function goTimestamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

/** Splits a PEM file holding a certificate chain and a private key. */
export function splitCertKeyPem(text: string): { cert: string; key: string } {
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  const key = text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----\n?/)?.[0] ?? '';
  return { cert: certs.join(''), key };
}

export function parseCertKey(cert: Buffer | string, key: Buffer | string): CertKey {
  const leaf = new X509Certificate(cert);
  if (!leaf.checkPrivateKey(parseKey(key))) throw new Error('tls: private key does not match public key');
  return { cert: Buffer.from(cert), key: Buffer.from(key), leaf };
}

/** client-go's certificate.FileStore for the "kubelet-client" pair. */
export class FileStore {
  constructor(
    readonly certDir: string,
    private readonly certFile = '',
    private readonly keyFile = '',
    readonly pairName = 'kubelet-client',
  ) {}

  currentPath(): string {
    return join(this.certDir, `${this.pairName}-current.pem`);
  }

  /** The current pair; undefined when there is none (NoCertKeyError); throws when one exists but is unusable. */
  current(): CertKey | undefined {
    const current = this.currentPath();
    if (existsSync(current)) {
      const { cert, key } = splitCertKeyPem(readFileSync(current, 'utf8'));
      return parseCertKey(cert, key);
    }
    if (this.certFile && this.keyFile && existsSync(this.certFile) && existsSync(this.keyFile)) {
      return parseCertKey(readFileSync(this.certFile), readFileSync(this.keyFile));
    }
    const crt = join(this.certDir, `${this.pairName}.crt`);
    const keyPath = join(this.certDir, `${this.pairName}.key`);
    if (existsSync(crt) && existsSync(keyPath)) return parseCertKey(readFileSync(crt), readFileSync(keyPath));
    return undefined;
  }

  /** Writes `<pair>-<timestamp>.pem` (certificate, then key; 0600) and points the current symlink at it. */
  update(cert: Buffer | string, key: Buffer | string): CertKey {
    const pair = parseCertKey(cert, key);
    mkdirSync(this.certDir, { recursive: true, mode: 0o755 });
    const file = join(this.certDir, `${this.pairName}-${goTimestamp()}.pem`);
    const certText = pair.cert.toString();
    writeFileSync(file, `${certText}${certText.endsWith('\n') ? '' : '\n'}${pair.key.toString()}`, { mode: 0o600 });
    chmodSync(file, 0o600);
    const tmp = join(this.certDir, `${this.pairName}-updated.pem`);
    rmSync(tmp, { force: true });
    symlinkSync(file, tmp);
    renameSync(tmp, this.currentPath());
    return pair;
  }
}

/** isClientConfigStillValid: the kubeconfig exists, loads, and none of its client certificates has expired. */
export function isClientConfigStillValid(kubeconfigPath: string, log: Logger): boolean {
  if (!existsSync(kubeconfigPath)) return false;
  let config: RestConfig;
  try {
    config = loadRestConfig(kubeconfigPath);
  } catch (e) {
    log.error(`unable to read existing bootstrap client config from ${kubeconfigPath}: ${(e as Error).message}`);
    return false;
  }
  let pair: { cert: Buffer; key: Buffer } | undefined;
  try {
    pair = clientCertOf(config);
  } catch (e) {
    log.error(`unable to load TLS configuration from existing bootstrap client config read from ${kubeconfigPath}: ${(e as Error).message}`);
    return false;
  }
  const blocks = pair?.cert.toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    log.error(`unable to read TLS certificates from existing bootstrap client config read from ${kubeconfigPath}: <nil>`);
    return false;
  }
  for (const block of blocks) {
    const cert = new X509Certificate(block);
    if (Date.now() > Date.parse(cert.validTo)) {
      log.error(`part of the existing bootstrap client certificate in ${kubeconfigPath} is expired: ${new Date(cert.validTo).toISOString()}`);
      return false;
    }
  }
  return true;
}

/** writeKubeconfigFromBootstrapping: the kubeconfig the kubelet writes after (or for) TLS bootstrap. */
export function kubeconfigFromBootstrapping(bootstrap: RestConfig, pemPath: string): string {
  const cluster: Record<string, unknown> = {};
  if (bootstrap.caFile) cluster['certificate-authority'] = bootstrap.caFile;
  else if (bootstrap.caData) cluster['certificate-authority-data'] = bootstrap.caData.toString('base64');
  if (bootstrap.insecure) cluster['insecure-skip-tls-verify'] = true;
  cluster.server = bootstrap.host;
  // clientcmd.WriteToFile: keys sorted as Go's yaml marshals the v1 Config.
  return stringify({
    apiVersion: 'v1',
    clusters: [{ cluster, name: 'default-cluster' }],
    contexts: [{ context: { cluster: 'default-cluster', namespace: 'default', user: 'default-auth' }, name: 'default-context' }],
    'current-context': 'default-context',
    kind: 'Config',
    preferences: {},
    users: [{ name: 'default-auth', user: { 'client-certificate': pemPath, 'client-key': pemPath } }],
  }, { indentSeq: false, lineWidth: 0 });
}

export function writeKubeconfigFromBootstrapping(bootstrap: RestConfig, kubeconfigPath: string, pemPath: string): void {
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  writeFileSync(kubeconfigPath, kubeconfigFromBootstrapping(bootstrap, pemPath), { mode: 0o600 });
}

export interface CsrRequestOptions {
  /** Fixed name (LoadClientCert's node-csr-<digest>) or undefined for generateName "csr-". */
  name?: string;
  usages: string[];
  csrPem: string;
}

/** The CertificateSigningRequest object the kubelet posts (certificates.k8s.io/v1). */
export function csrObject(options: CsrRequestOptions): Record<string, unknown> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: options.name ? { name: options.name } : { generateName: 'csr-' },
    spec: {
      request: Buffer.from(options.csrPem).toString('base64'),
      signerName: KUBELET_CLIENT_SIGNER,
      usages: options.usages,
    },
  };
}

interface CsrObject {
  metadata?: { name?: string; uid?: string };
  status?: { certificate?: string; conditions?: { type: string; status?: string; reason?: string; message?: string }[] };
}

/** What one look at a CSR says: issued (PEM), still waiting, or a final error (denied, failed). */
export function csrOutcome(csr: CsrObject): { certificate?: Buffer; error?: string; approved: boolean } {
  let approved = false;
  for (const c of csr.status?.conditions ?? []) {
    if (c.type === 'Denied') return { approved, error: `certificate signing request is denied, reason: ${c.reason ?? ''}, message: ${c.message ?? ''}` };
    if (c.type === 'Failed') return { approved, error: `certificate signing request failed, reason: ${c.reason ?? ''}, message: ${c.message ?? ''}` };
    if (c.type === 'Approved') approved = true;
  }
  if (approved && csr.status?.certificate) return { approved, certificate: Buffer.from(csr.status.certificate, 'base64') };
  return { approved };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * csr.RequestCertificate + WaitForCertificate: creates the request (reusing an existing one of the same name),
 * then polls it until it is issued, denied or failed, or `timeoutMs` passes.
 */
export async function requestCertificate(
  client: ApiClient,
  options: CsrRequestOptions,
  log: Logger,
  timeoutMs: number,
  pollMs = 1000,
  stopped: () => boolean = () => false,
): Promise<Buffer> {
  const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
  let created: CsrObject;
  try {
    created = await client.request<CsrObject>('POST', base, csrObject(options));
  } catch (e) {
    if (isAlreadyExists(e) && options.name) {
      log.info('csr for this node already exists, reusing');
      created = await client.request<CsrObject>('GET', `${base}/${options.name}`).catch((err: Error) => {
        throw withMessage(err, `cannot retrieve certificate signing request: ${err.message}`);
      });
      log.info('csr for this node is still valid');
    } else {
      throw withMessage(e as Error, `cannot create certificate signing request: ${(e as Error).message}`);
    }
  }
  const name = created.metadata?.name ?? '';
  const uid = created.metadata?.uid;
  const deadline = Date.now() + timeoutMs;
  let approvedLogged = false;
  for (let csr = created; ; ) {
    if (uid && csr.metadata?.uid && csr.metadata.uid !== uid) throw new Error(`csr "${name}" changed UIDs`);
    const outcome = csrOutcome(csr);
    if (outcome.error) throw new Error(outcome.error);
    if (outcome.certificate) {
      log.info(`certificate signing request ${name} is issued`);
      return outcome.certificate;
    }
    if (outcome.approved && !approvedLogged) {
      log.info(`certificate signing request ${name} is approved, waiting to be issued`);
      approvedLogged = true;
    }
    if (Date.now() > deadline || stopped()) throw new Error('timed out waiting for the condition');
    await sleep(pollMs);
    try {
      csr = await client.request<CsrObject>('GET', `${base}/${name}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) throw new Error(`csr "${name}" was deleted`);
      // Transient: keep waiting, as a watch would reconnect.
    }
  }
}

function withMessage(e: Error, message: string): Error {
  if (e instanceof ApiError) return new ApiError(e.code, e.reason, message);
  return new Error(message);
}

export interface ClientCertManagerOptions {
  nodeName: string;
  certDir: string;
  /** Rest config that reaches the API with the current certificate (server + CA). */
  clientConfig: RestConfig;
  /** Credentials to request a certificate with while there is no valid one (the bootstrap kubeconfig). */
  bootstrapConfig?: RestConfig;
  /** Certificate/key from the kubeconfig, used to seed the store (kubeadm init's embedded kubelet.conf pair). */
  seed?: { cert: Buffer; key: Buffer };
  certFile?: string;
  keyFile?: string;
  log: Logger;
  /** Test hooks. */
  pollMs?: number;
  backoffMs?: number;
}

/**
 * client-go's certificate manager for the kubelet client certificate: rotation at 70–90 % of the lifetime, at once
 * when the certificate came from the bootstrap seed or is missing; requests with the current certificate, or with
 * the bootstrap credentials while there is none.
 */
export class ClientCertManager {
  readonly store: FileStore;
  private cert: CertKey | undefined;
  /** ServerHealthy: whether the last answer says the API server works (set by certificate requests). */
  serverHealthy = false;
  private forceRotation = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly name = KUBELET_CLIENT_SIGNER;

  constructor(private readonly o: ClientCertManagerOptions) {
    this.store = new FileStore(o.certDir, o.certFile, o.keyFile);
    let current: CertKey | undefined;
    try {
      current = this.store.current();
    } catch (e) {
      o.log.error(`${this.name}: unable to load the current certificate: ${(e as Error).message}`);
    }
    if (current && Date.now() < Date.parse(current.leaf.validTo)) {
      this.cert = current;
      return;
    }
    this.forceRotation = true;
    if (o.seed) {
      try {
        this.cert = parseCertKey(o.seed.cert, o.seed.key);
        this.store.update(o.seed.cert, o.seed.key);
      } catch (e) {
        o.log.error(`Unable to set the cert/key pair to the bootstrap certificate: ${(e as Error).message}`);
      }
    }
  }

  /** The current pair; undefined while there is none or it has expired. */
  current(): CertKey | undefined {
    if (this.cert && Date.now() > Date.parse(this.cert.leaf.validTo)) return undefined;
    return this.cert;
  }

  credentials(): Credentials | undefined {
    const c = this.current();
    return c ? { cert: c.cert, key: c.key } : undefined;
  }

  start(): void {
    this.o.log.info(`${this.name}: Certificate rotation is enabled`);
    // Never let a failure here end the kubelet: its static pods keep running without the API.
    void this.loop().catch((e: Error) => this.o.log.error(`${this.name}: certificate rotation stopped: ${e.message}`));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private async wait(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  /** nextRotationDeadline: now when forced or missing, else notBefore + 70–90 % of the lifetime. */
  nextRotationDeadline(): number {
    if (this.forceRotation || !this.cert) {
      this.forceRotation = false;
      return Date.now();
    }
    const notBefore = Date.parse(this.cert.leaf.validFrom);
    const notAfter = Date.parse(this.cert.leaf.validTo);
    const total = notAfter - notBefore;
    const deadline = notBefore + total * (0.7 + Math.random() * 0.2);
    this.o.log.info(`${this.name}: Certificate expiration is ${new Date(notAfter).toISOString()}, rotation deadline is ${new Date(deadline).toISOString()}`);
    return deadline;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const deadline = this.nextRotationDeadline();
      if (deadline > Date.now()) this.o.log.info(`${this.name}: Waiting ${formatGoDuration(deadline - Date.now())} for next certificate rotation`);
      // Timers cap at ~24.8 days: wait in steps.
      while (!this.stopped && Date.now() < deadline) await this.wait(Math.min(deadline - Date.now(), 2 ** 31 - 1));
      if (this.stopped) return;
      // wait.ExponentialBackoff 2 s ×2, 5 steps; then every 32 s.
      let delay = this.o.backoffMs ?? 2000;
      let ok = false;
      for (let step = 0; step < 5 && !this.stopped; step++) {
        if ((ok = await this.rotateCerts())) break;
        await this.wait(delay * (0.9 + Math.random() * 0.2));
        delay *= 2;
      }
      if (!ok && !this.stopped) {
        this.o.log.error(`${this.name}: Reached backoff limit, still unable to rotate certs: timed out waiting for the condition`);
        while (!this.stopped && !(await this.rotateCerts())) await this.wait(this.o.backoffMs ? this.o.backoffMs * 16 : 32_000);
      }
    }
  }

  /** One rotation: new key, CSR, wait for the certificate, store it. True when a new certificate is in use. */
  async rotateCerts(): Promise<boolean> {
    const log = this.o.log;
    log.info(`${this.name}: Rotating certificates`);
    const { key, keyPem } = generateNodeKey();
    const subject = nodeClientSubject(this.o.nodeName);
    const csrPem = makeCsrPem(key, subject);
    const current = this.current();
    const config = current ? this.o.clientConfig : (this.o.bootstrapConfig ?? this.o.clientConfig);
    const client = new ApiClient(config, () => (current ? { cert: current.cert, key: current.key } : bootstrapCredentials(config)));
    let certPem: Buffer;
    try {
      certPem = await requestCertificate(client, { usages: nodeClientUsages(key), csrPem }, log, 15 * 60_000, this.o.pollMs, () => this.stopped);
    } catch (e) {
      const message = (e as Error).message;
      if (/^certificate signing request (is denied|failed)|was deleted|changed UIDs|timed out waiting/.test(message)) {
        log.error(`${this.name}: certificate request was not signed: ${message}`);
      } else {
        log.error(`${this.name}: Failed while requesting a signed certificate from the control plane: ${message}`);
        // updateServerError: 401 (a proxy may answer it) and 403/404 come from a working server; 5xx and no answer do not.
        const code = e instanceof ApiError ? e.code : 0;
        this.serverHealthy = code === 401 || code === 403 || code === 404;
      }
      return false;
    }
    try {
      this.cert = this.store.update(certPem, keyPem);
      this.serverHealthy = true;
    } catch (e) {
      log.error(`${this.name}: Unable to store the new cert/key pair: ${(e as Error).message}`);
      return false;
    }
    return true;
  }
}

/**
 * kubeletcertificate.UpdateTransport's watchdog (exitAfter 5 minutes): without a valid client certificate for that
 * long the kubelet exits when the server answers (so that it starts over from the bootstrap kubeconfig), and says a
 * restart may be necessary when it does not.
 */
export function watchClientCertificate(manager: ClientCertManager, log: Logger, exit: () => void, exitAfterMs = 5 * 60_000, periodMs = 1000): () => void {
  let lastCertAvailable = Date.now();
  let lastWarned = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    if (manager.current()) {
      lastCertAvailable = now;
      return;
    }
    if (now - lastCertAvailable < exitAfterMs) return;
    const fields = { lastCertificateAvailabilityTime: new Date(lastCertAvailable).toISOString(), shutdownThreshold: `${exitAfterMs / 60_000}m0s` };
    if (manager.serverHealthy) {
      log.error('No valid client certificate is found and the server is responsive, exiting.', fields);
      clearInterval(timer);
      exit();
    } else if (now - lastWarned >= 60_000) {
      lastWarned = now;
      log.error('No valid client certificate is found but the server is not responsive. A restart may be necessary to retrieve new initial credentials.', fields);
    }
  }, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The credentials a rest config carries (bootstrap token, or a client certificate pair). */
export function bootstrapCredentials(config: RestConfig): Credentials | undefined {
  if (config.token) return { token: config.token };
  try {
    return clientCertOf(config);
  } catch {
    return undefined;
  }
}

/** Go's time.Duration String for the waits the manager logs (e.g. "6155h27m12.5s"). */
export function formatGoDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = Number(s.toFixed(3)).toString();
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
}

/**
 * LoadClientCert (rotateCertificates off): when the kubeconfig is not valid, request a certificate named
 * node-csr-<digest> with the bootstrap kubeconfig, store it and write the kubeconfig. The key is cached in
 * kubelet-client.key.tmp until the request succeeds, so a restart reuses it.
 */
export async function loadClientCert(kubeconfigPath: string, bootstrapPath: string, certDir: string, nodeName: string, log: Logger, pollMs = 1000): Promise<void> {
  if (isClientConfigStillValid(kubeconfigPath, log)) {
    log.info('Kubeconfig exists and is valid, skipping bootstrap', { path: kubeconfigPath });
    return;
  }
  log.info('Using bootstrap kubeconfig to generate TLS client cert, key and kubeconfig file');
  const bootstrap = loadRestConfig(bootstrapPath);
  const store = new FileStore(certDir);
  let keyPem: string | undefined;
  try {
    keyPem = store.current()?.key.toString();
  } catch {
    keyPem = undefined;
  }
  const tmpKey = join(certDir, 'kubelet-client.key.tmp');
  if (!keyPem) {
    log.info('No valid private key and/or certificate found, reusing existing private key or creating a new one');
    if (existsSync(tmpKey)) keyPem = readFileSync(tmpKey, 'utf8');
    else {
      keyPem = generateNodeKey().keyPem;
      mkdirSync(certDir, { recursive: true });
      writeFileSync(tmpKey, keyPem, { mode: 0o600 });
    }
  }
  const key = parseKey(keyPem);
  const subject = nodeClientSubject(nodeName);
  // LoadClientCert asks for key encipherment whatever the key type.
  const usages = ['digital signature', 'key encipherment', 'client auth'];
  const client = new ApiClient(bootstrap, () => bootstrapCredentials(bootstrap));
  const certPem = await requestCertificate(client, { name: digestedName(key, subject, usages), usages, csrPem: makeCsrPem(key, subject) }, log, 3600_000, pollMs);
  store.update(certPem, keyPem);
  rmSync(tmpKey, { force: true });
  writeKubeconfigFromBootstrapping(bootstrap, kubeconfigPath, store.currentPath());
}
