/** crictl and docker output as the real tools print it, for the health tests. */

/**
 * `crictl pods -o json` on a control-plane node "cp1" (protojson, EmitDefaultValues): etcd and the API server
 * ready, the scheduler's first sandbox replaced (NotReady) by a second one, no controller-manager Pod.
 */
export const CRICTL_PODS = `{
  "items": [
    {
      "id": "5d1e3f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e",
      "metadata": {
        "name": "etcd-cp1",
        "uid": "2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b",
        "namespace": "kube-system",
        "attempt": 0
      },
      "state": "SANDBOX_READY",
      "createdAt": "1700640000100000000",
      "labels": {
        "component": "etcd",
        "io.kubernetes.pod.name": "etcd-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b",
        "tier": "control-plane"
      },
      "annotations": {
        "kubeadm.kubernetes.io/etcd.advertise-client-urls": "https://10.77.0.10:2379",
        "kubernetes.io/config.hash": "2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b",
        "kubernetes.io/config.seen": "2023-11-22T08:00:00.012345678Z",
        "kubernetes.io/config.source": "file"
      },
      "runtimeHandler": ""
    },
    {
      "id": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
      "metadata": {
        "name": "kube-apiserver-cp1",
        "uid": "7f0e1d2c3b4a59687766554433221100",
        "namespace": "kube-system",
        "attempt": 0
      },
      "state": "SANDBOX_READY",
      "createdAt": "1700640000200000000",
      "labels": {
        "component": "kube-apiserver",
        "io.kubernetes.pod.name": "kube-apiserver-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "7f0e1d2c3b4a59687766554433221100",
        "tier": "control-plane"
      },
      "annotations": {
        "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "10.77.0.10:6443",
        "kubernetes.io/config.hash": "7f0e1d2c3b4a59687766554433221100",
        "kubernetes.io/config.seen": "2023-11-22T08:00:00.012345678Z",
        "kubernetes.io/config.source": "file"
      },
      "runtimeHandler": ""
    },
    {
      "id": "0f9e8d7c6b5a49382716051423324150f9e8d7c6b5a4938271605142332415a",
      "metadata": {
        "name": "kube-scheduler-cp1",
        "uid": "11112222333344445555666677778888",
        "namespace": "kube-system",
        "attempt": 0
      },
      "state": "SANDBOX_NOTREADY",
      "createdAt": "1700640000300000000",
      "labels": {
        "component": "kube-scheduler",
        "io.kubernetes.pod.name": "kube-scheduler-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "11112222333344445555666677778888",
        "tier": "control-plane"
      },
      "annotations": {
        "kubernetes.io/config.hash": "11112222333344445555666677778888",
        "kubernetes.io/config.seen": "2023-11-22T08:00:00.012345678Z",
        "kubernetes.io/config.source": "file"
      },
      "runtimeHandler": ""
    },
    {
      "id": "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
      "metadata": {
        "name": "kube-scheduler-cp1",
        "uid": "99990000aaaabbbbccccddddeeeeffff",
        "namespace": "kube-system",
        "attempt": 0
      },
      "state": "SANDBOX_READY",
      "createdAt": "1700640100000000000",
      "labels": {
        "component": "kube-scheduler",
        "io.kubernetes.pod.name": "kube-scheduler-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "99990000aaaabbbbccccddddeeeeffff",
        "tier": "control-plane"
      },
      "annotations": {
        "kubernetes.io/config.hash": "99990000aaaabbbbccccddddeeeeffff",
        "kubernetes.io/config.seen": "2023-11-22T08:01:40.012345678Z",
        "kubernetes.io/config.source": "file"
      },
      "runtimeHandler": ""
    }
  ]
}`;

/**
 * `crictl ps -a -o json` for the same node: etcd running; the API server crash-looping (attempt 3 exited,
 * attempt 2 left behind); the scheduler running in its new sandbox.
 */
export const CRICTL_PS = `{
  "containers": [
    {
      "id": "e7c1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f",
      "podSandboxId": "5d1e3f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e",
      "metadata": {
        "name": "etcd",
        "attempt": 0
      },
      "image": {
        "image": "sha256:73deb9a3f702532592a4167455f8bf2e5f5d900bcc959ba2fd2d35c321de1af9",
        "annotations": {},
        "userSpecifiedImage": "",
        "runtimeHandler": ""
      },
      "imageRef": "sha256:73deb9a3f702532592a4167455f8bf2e5f5d900bcc959ba2fd2d35c321de1af9",
      "state": "CONTAINER_RUNNING",
      "createdAt": "1700640001000000000",
      "labels": {
        "io.kubernetes.container.name": "etcd",
        "io.kubernetes.pod.name": "etcd-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b"
      },
      "annotations": {
        "io.kubernetes.container.hash": "4d5b7f2c",
        "io.kubernetes.container.restartCount": "0",
        "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
        "io.kubernetes.container.terminationMessagePolicy": "File",
        "io.kubernetes.pod.terminationGracePeriod": "30"
      },
      "imageId": ""
    },
    {
      "id": "c3a1000000000000000000000000000000000000000000000000000000000002",
      "podSandboxId": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
      "metadata": {
        "name": "kube-apiserver",
        "attempt": 2
      },
      "image": {
        "image": "sha256:7fe0e6f37db33464725e616a12ccc4e36970370005a2b09683a974db6350c257",
        "annotations": {},
        "userSpecifiedImage": "",
        "runtimeHandler": ""
      },
      "imageRef": "sha256:7fe0e6f37db33464725e616a12ccc4e36970370005a2b09683a974db6350c257",
      "state": "CONTAINER_EXITED",
      "createdAt": "1700640040000000000",
      "labels": {
        "io.kubernetes.container.name": "kube-apiserver",
        "io.kubernetes.pod.name": "kube-apiserver-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "7f0e1d2c3b4a59687766554433221100"
      },
      "annotations": {
        "io.kubernetes.container.hash": "9a0b1c2d",
        "io.kubernetes.container.restartCount": "2",
        "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
        "io.kubernetes.container.terminationMessagePolicy": "File",
        "io.kubernetes.pod.terminationGracePeriod": "30"
      },
      "imageId": ""
    },
    {
      "id": "c3a1000000000000000000000000000000000000000000000000000000000003",
      "podSandboxId": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
      "metadata": {
        "name": "kube-apiserver",
        "attempt": 3
      },
      "image": {
        "image": "sha256:7fe0e6f37db33464725e616a12ccc4e36970370005a2b09683a974db6350c257",
        "annotations": {},
        "userSpecifiedImage": "",
        "runtimeHandler": ""
      },
      "imageRef": "sha256:7fe0e6f37db33464725e616a12ccc4e36970370005a2b09683a974db6350c257",
      "state": "CONTAINER_EXITED",
      "createdAt": "1700640080000000000",
      "labels": {
        "io.kubernetes.container.name": "kube-apiserver",
        "io.kubernetes.pod.name": "kube-apiserver-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "7f0e1d2c3b4a59687766554433221100"
      },
      "annotations": {
        "io.kubernetes.container.hash": "9a0b1c2d",
        "io.kubernetes.container.restartCount": "3",
        "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
        "io.kubernetes.container.terminationMessagePolicy": "File",
        "io.kubernetes.pod.terminationGracePeriod": "30"
      },
      "imageId": ""
    },
    {
      "id": "5c4ed0000000000000000000000000000000000000000000000000000000000a",
      "podSandboxId": "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
      "metadata": {
        "name": "kube-scheduler",
        "attempt": 0
      },
      "image": {
        "image": "sha256:9f7b1e4c3d2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
        "annotations": {},
        "userSpecifiedImage": "",
        "runtimeHandler": ""
      },
      "imageRef": "sha256:9f7b1e4c3d2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
      "state": "CONTAINER_RUNNING",
      "createdAt": "1700640101000000000",
      "labels": {
        "io.kubernetes.container.name": "kube-scheduler",
        "io.kubernetes.pod.name": "kube-scheduler-cp1",
        "io.kubernetes.pod.namespace": "kube-system",
        "io.kubernetes.pod.uid": "99990000aaaabbbbccccddddeeeeffff"
      },
      "annotations": {
        "io.kubernetes.container.hash": "1b2c3d4e",
        "io.kubernetes.container.restartCount": "0",
        "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
        "io.kubernetes.container.terminationMessagePolicy": "File",
        "io.kubernetes.pod.terminationGracePeriod": "30"
      },
      "imageId": ""
    }
  ]
}`;

/** `crictl inspect` of the API server's last attempt (cri-tools outputStatusData: keys sorted, RFC 3339 times). */
export const CRICTL_INSPECT_EXITED = `{
  "info": {
    "pid": 0,
    "sandboxID": "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
  },
  "status": {
    "annotations": {
      "io.kubernetes.container.restartCount": "3"
    },
    "createdAt": "2023-11-22T08:01:20Z",
    "exitCode": 1,
    "finishedAt": "2023-11-22T08:01:21.5Z",
    "id": "c3a1000000000000000000000000000000000000000000000000000000000003",
    "image": {
      "annotations": {},
      "image": "registry.k8s.io/kube-apiserver:v1.28.4",
      "runtimeHandler": "",
      "userSpecifiedImage": ""
    },
    "imageRef": "registry.k8s.io/kube-apiserver@sha256:5b28a364467cf7e134343bb3ee2c6d40682b473a743a72142c7bbe25767d36eb",
    "labels": {},
    "logPath": "/var/log/pods/kube-system_kube-apiserver-cp1_7f0e1d2c3b4a59687766554433221100/kube-apiserver/3.log",
    "message": "",
    "metadata": {
      "attempt": 3,
      "name": "kube-apiserver"
    },
    "mounts": [],
    "reason": "Error",
    "startedAt": "2023-11-22T08:01:20.2Z",
    "state": "CONTAINER_EXITED"
  }
}`;

/** `crictl images -o json` with the etcd and API server images (unset messages such as uid and spec are absent). */
export const CRICTL_IMAGES = `{
  "images": [
    {
      "id": "sha256:73deb9a3f702532592a4167455f8bf2e5f5d900bcc959ba2fd2d35c321de1af9",
      "repoTags": [
        "registry.k8s.io/etcd:3.5.9-0"
      ],
      "repoDigests": [
        "registry.k8s.io/etcd@sha256:e013d0d5e4e25d00c61a7ff839927a1f36479678f11e49502b53a5e0b14f10c3"
      ],
      "size": "102894559",
      "username": "",
      "pinned": false
    },
    {
      "id": "sha256:7fe0e6f37db33464725e616a12ccc4e36970370005a2b09683a974db6350c257",
      "repoTags": [
        "registry.k8s.io/kube-apiserver:v1.28.4"
      ],
      "repoDigests": [
        "registry.k8s.io/kube-apiserver@sha256:5b28a364467cf7e134343bb3ee2c6d40682b473a743a72142c7bbe25767d36eb"
      ],
      "size": "34683820",
      "username": "",
      "pinned": false
    }
  ]
}`;

/**
 * `docker ps -a --no-trunc --format '{{json .}}'` on a v1.21 dockershim node: sandboxes are the k8s_POD_
 * containers; the controller-manager exited with code 255 after 4 restarts.
 */
export const DOCKER_PS = [
  `{"Command":"\\"/pause\\"","CreatedAt":"2023-11-22 08:00:01 +0000 UTC","ID":"d0c0000000000000000000000000000000000000000000000000000000000001","Image":"k8s.gcr.io/pause:3.4.1","Labels":"io.kubernetes.pod.name=etcd-cp1,io.kubernetes.pod.namespace=kube-system,io.kubernetes.pod.uid=aa11,component=etcd,tier=control-plane","LocalVolumes":"0","Mounts":"","Names":"k8s_POD_etcd-cp1_kube-system_aa11_0","Networks":"host","Ports":"","RunningFor":"5 minutes ago","Size":"0B","State":"running","Status":"Up 5 minutes"}`,
  `{"Command":"\\"etcd --advertise-client-urls=https://10.77.0.10:2379\\"","CreatedAt":"2023-11-22 08:00:02 +0000 UTC","ID":"d0c0000000000000000000000000000000000000000000000000000000000002","Image":"k8s.gcr.io/etcd:3.4.13-0","Labels":"io.kubernetes.container.name=etcd,io.kubernetes.pod.name=etcd-cp1,io.kubernetes.pod.namespace=kube-system,io.kubernetes.pod.uid=aa11","LocalVolumes":"0","Mounts":"/etc/kubernetes/pki/etcd,/var/lib/etcd","Names":"k8s_etcd_etcd-cp1_kube-system_aa11_0","Networks":"","Ports":"","RunningFor":"5 minutes ago","Size":"0B","State":"running","Status":"Up 5 minutes"}`,
  `{"Command":"\\"/pause\\"","CreatedAt":"2023-11-22 08:00:01 +0000 UTC","ID":"d0c0000000000000000000000000000000000000000000000000000000000003","Image":"k8s.gcr.io/pause:3.4.1","Labels":"io.kubernetes.pod.name=kube-controller-manager-cp1,io.kubernetes.pod.namespace=kube-system,io.kubernetes.pod.uid=bb22","LocalVolumes":"0","Mounts":"","Names":"k8s_POD_kube-controller-manager-cp1_kube-system_bb22_0","Networks":"host","Ports":"","RunningFor":"5 minutes ago","Size":"0B","State":"running","Status":"Up 5 minutes"}`,
  `{"Command":"\\"kube-controller-manager --bind-address=127.0.0.1\\"","CreatedAt":"2023-11-22 08:04:30 +0000 UTC","ID":"d0c0000000000000000000000000000000000000000000000000000000000004","Image":"k8s.gcr.io/kube-controller-manager:v1.21.14","Labels":"io.kubernetes.container.name=kube-controller-manager","LocalVolumes":"0","Mounts":"","Names":"k8s_kube-controller-manager_kube-controller-manager-cp1_kube-system_bb22_4","Networks":"","Ports":"","RunningFor":"30 seconds ago","Size":"0B","State":"exited","Status":"Exited (255) 20 seconds ago"}`,
  `{"Command":"\\"dockerd-unrelated\\"","CreatedAt":"2023-11-22 07:00:00 +0000 UTC","ID":"ffff","Image":"nginx","Labels":"","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"bridge","Ports":"","RunningFor":"1 hour ago","Size":"0B","State":"running","Status":"Up 1 hour"}`,
].join('\n');
