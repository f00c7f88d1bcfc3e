/**
 * What can go wrong talking to etcd, each naming the operation (etcd's RPC name) and the endpoint it was sent to.
 * Messages are built from etcd's answer or Node's error code and text, never from the client's credentials: no
 * certificate or key can end up in a message or a log line.
 */
import { HostError } from '../util/errors.js';

/** gRPC status codes (google.golang.org/grpc/codes) the gateway puts in its error body's "code". */
export const GRPC_CODE = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

/** Any failure of an etcd operation. */
export class EtcdError extends HostError {
  override name = 'EtcdError';
  constructor(
    readonly operation: string,
    readonly endpoint: string,
    detail: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`etcd ${operation} at ${endpoint}: ${detail}`, options);
  }
}

/** The endpoint could not be reached or did not answer in time (refused, reset, tunnel closed, timeout). */
export class EtcdUnreachableError extends EtcdError {
  override name = 'EtcdUnreachableError';
  constructor(operation: string, endpoint: string, detail: string) {
    super(operation, endpoint, detail, { retryable: true });
  }
}

/**
 * TLS failed: the server's certificate is not signed by the etcd CA given or does not name the endpoint's
 * address, or the server refused the client certificate. Trying again cannot help.
 */
export class EtcdTlsError extends EtcdError {
  override name = 'EtcdTlsError';
  constructor(operation: string, endpoint: string, detail: string) {
    super(operation, endpoint, detail);
  }
}

/** etcd answered with a gRPC error (relayed by its JSON gateway): its code and its own message. */
export class EtcdApiError extends EtcdError {
  override name = 'EtcdApiError';
  constructor(
    operation: string,
    endpoint: string,
    readonly code: number,
    readonly etcdMessage: string,
    retryable = code === GRPC_CODE.UNAVAILABLE || code === GRPC_CODE.DEADLINE_EXCEEDED,
  ) {
    super(operation, endpoint, `${etcdMessage} (gRPC code ${code})`, { retryable });
  }
}

/**
 * MemberPromote refused because the learner has not caught up with the leader yet (etcd's ErrGRPCLearnerNotReady,
 * api/v3rpc/rpctypes/error.go). kubeadm's MemberPromote retries it until its timeout; so may the caller.
 */
export class EtcdLearnerNotReadyError extends EtcdApiError {
  override name = 'EtcdLearnerNotReadyError';
  constructor(operation: string, endpoint: string, code: number, etcdMessage: string) {
    super(operation, endpoint, code, etcdMessage, true);
  }
}

/** No member has the peer URL asked for (kubeadm's ErrNoMemberIDForPeerURL). */
export class EtcdMemberNotFoundError extends EtcdError {
  override name = 'EtcdMemberNotFoundError';
}

/** Some members do not answer (kubeadm's CheckClusterHealth / WaitForClusterAvailable failing). */
export class EtcdUnhealthyError extends EtcdError {
  override name = 'EtcdUnhealthyError';
}

/** A member's removal refused before it was asked for: the cluster would lose its quorum. */
export class EtcdQuorumError extends EtcdError {
  override name = 'EtcdQuorumError';
}
