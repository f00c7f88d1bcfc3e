/**
 * etcd's v3 API as the stacked-etcd phases use it (join, reset, status): membership and health through etcd's
 * JSON gateway, over mutual TLS, on connections made directly or through a host's SSH connection.
 */
export { EtcdClient, type EtcdClientOptions, type EtcdMemberHealth, type EtcdStatus } from './client.js';
export { directConnector, hostConnector, type EtcdConnector, type EtcdTls } from './gateway.js';
export { describeMember, findMember, initialClusterMembers, memberIdHex, removalRefusal, type EtcdMemberInfo } from './members.js';
export {
  EtcdApiError,
  EtcdError,
  EtcdLearnerNotReadyError,
  EtcdMemberNotFoundError,
  EtcdQuorumError,
  EtcdTlsError,
  EtcdUnhealthyError,
  EtcdUnreachableError,
} from './errors.js';
