export * as ApiGatewayV2 from "./ApiGatewayV2.ts"
