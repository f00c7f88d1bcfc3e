/** Health of control-plane hosts: the wait of `up` and the report of `bootstrap status`. */
export {
  checkHost,
  checkTarget,
  gatherDiagnosis,
  KUBELET_HEALTHZ,
  pollOnce,
  progressLine,
  targetFor,
  waitForControlPlane,
  type HealthSubject,
  type HealthTarget,
  type WaitOptions,
  type WaitResult,
} from './check.js';
export { componentFromManifest, componentsFromFiles, endpointUrl, type ComponentSpec, type HealthEndpoint } from './endpoints.js';
export { probeEndpoint, type ProbeResult } from './probe.js';
