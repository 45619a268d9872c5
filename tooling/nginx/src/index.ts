export { nginxAvailable, startNginx, type NginxOptions, type RunningNginx } from "./nginx";
export { LAB_PROXIES, startLabProxies, type LabProxyName, type RunningLabProxies } from "./lab-proxies";
export { IDLE_TIMEOUT_S, NGINX_CONFIGS, renderNginxConfig, type NginxConfigName } from "./nginx-config";
