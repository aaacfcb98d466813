import { UserResponseDto } from '../../users/dto/user-response.dto';

export class LoginResponseDto {
  /** A JWT to send as `Authorization: Bearer <token>`. */
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: UserResponseDto;
}

export class MeResponseDto extends UserResponseDto {
  organization: { id: string; slug: string; name: string };
  /** How this request authenticated. */
  authenticatedVia: 'jwt' | 'api_token';
}
