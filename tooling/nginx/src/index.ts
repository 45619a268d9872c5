export { nginxAvailable, startNginx, type NginxOptions, type RunningNginx } from "./nginx";
export { NGINX_CONFIGS, renderNginxConfig, type NginxConfigName } from "./nginx-config";
