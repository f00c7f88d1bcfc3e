/**
 * kubeadm preflight checks that lab nodes fail by design, and why. The lab never turns IP forwarding on
 * (its network is internal and must stay so), so kubeadm's ip_forward check is downgraded to a warning, as a
 * user would do with --ignore-preflight-errors on such a host.
 */
export const LAB_PREFLIGHT_IGNORES = ['FileContent--proc-sys-net-ipv4-ip_forward'];
